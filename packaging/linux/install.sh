#!/usr/bin/env bash
# Installs this CallLookup folder for the current user only (no root needed):
#   the app         -> ${XDG_DATA_HOME:-~/.local/share}/calllookup/
#   the commands    -> ~/.local/bin/calllookup, ~/.local/bin/calllookup-cli (symlinks)
#   the menu entry  -> .../applications/, its icons -> .../icons/hicolor/, AppStream -> .../metainfo/
# Running it again replaces an earlier install. Undo with uninstall.sh (also in the installed folder).
set -euo pipefail
app_id=com.calllookup.CallLookup
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
bin_dir=$HOME/.local/bin
target=$data_home/calllookup

if [ ! -x "$source_dir/calllookup" ] || [ ! -d "$source_dir/share/icons/hicolor" ]; then
  echo "install.sh: run the install.sh inside a built CallLookup folder (dist/calllookup/)" >&2
  exit 2
fi
if [ "$source_dir" != "$target" ]; then
  rm -rf -- "$target.new"
  mkdir -p "$data_home"
  cp -a -- "$source_dir" "$target.new"
  rm -rf -- "$target"
  mv -- "$target.new" "$target"
fi

mkdir -p "$bin_dir" "$data_home/applications" "$data_home/metainfo"
ln -sfn -- "$target/calllookup" "$bin_dir/calllookup"
ln -sfn -- "$target/calllookup-cli" "$bin_dir/calllookup-cli"
# The menu must start the app even where ~/.local/bin is not on the session's PATH.
sed "s|^Exec=calllookup\$|Exec=\"$target/calllookup\"|" \
  "$target/share/applications/$app_id.desktop" > "$data_home/applications/$app_id.desktop"
cp -- "$target/share/metainfo/$app_id.metainfo.xml" "$data_home/metainfo/"
(cd "$target/share/icons" && find hicolor -type f) | while read -r icon; do
  mkdir -p "$data_home/icons/$(dirname "$icon")"
  cp -- "$target/share/icons/$icon" "$data_home/icons/$icon"
done

if command -v gtk-update-icon-cache > /dev/null && [ -f "$data_home/icons/hicolor/index.theme" ]; then
  gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true
fi
echo "CallLookup installed in $target"
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "Note: $bin_dir is not on your PATH; the menu entry works regardless." ;;
esac

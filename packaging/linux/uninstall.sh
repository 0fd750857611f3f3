#!/usr/bin/env bash
# Removes what install.sh put in place for the current user.
set -euo pipefail
app_id=com.calllookup.CallLookup
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
bin_dir=$HOME/.local/bin
target=$data_home/calllookup

for command in calllookup calllookup-cli; do
  # Only our own symlinks: a calllookup installed another way (pip) stays.
  if [ -L "$bin_dir/$command" ] && [ "$(readlink "$bin_dir/$command")" = "$target/$command" ]; then
    rm -f -- "$bin_dir/$command"
  fi
done
rm -f -- "$data_home/applications/$app_id.desktop" "$data_home/metainfo/$app_id.metainfo.xml"
find "$data_home/icons/hicolor" -path "*/apps/$app_id.*" -delete 2> /dev/null || true
rm -rf -- "$target"
if command -v gtk-update-icon-cache > /dev/null && [ -f "$data_home/icons/hicolor/index.theme" ]; then
  gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true
fi
echo "CallLookup removed from $target"

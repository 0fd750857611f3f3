"""Content-Encoding decoding with bounded output, so a compression bomb costs kilobytes.

httpx's own decoders turn each received chunk into all the bytes it expands to at once: a 1,827-byte
body of ``gzip, gzip`` over 1 GiB of zeros becomes one 1 GiB ``bytes`` before any size check can
run. Here every layer inflates at most ``DECODE_STEP_BYTES`` per call and hands its output on
lazily, so the caller's size cap stops the work (and the memory) as soon as the decoded size
passes it, whatever the compression ratio and however many layers are stacked.

Only the codings this app asks for (``Accept-Encoding: gzip, deflate``, RFC 9110 section 8.4.1)
are decoded; any other is refused rather than guessed at.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

#: The Accept-Encoding this app sends: exactly the codings ``BodyDecoder`` can bound.
ACCEPTED_ENCODINGS = "gzip, deflate"
#: Bytes one inflate step may produce; the most a single step holds in memory.
DECODE_STEP_BYTES = 64 * 1024
#: zlib's window-bits argument per coding: 16 + 15 reads the gzip container (RFC 1952),
#: 15 the zlib container that HTTP's "deflate" names (RFC 1950).
_WINDOW_BITS = {
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}
_NO_CODING = frozenset({"", "identity"})


class UndecodableBodyError(ValueError):
    """The body's Content-Encoding is unknown or its compressed data is damaged; the message
    says which, in words."""


class DecodedSizeExceededError(ValueError):
    """A layer produced more than the allowed number of bytes."""


class _Layer:
    """One Content-Encoding layer, inflating step by step."""

    def __init__(self, coding: str, limit: int) -> None:
        self.coding = coding
        self._inflater = zlib.decompressobj(_WINDOW_BITS[coding])
        #: Some servers send raw deflate under "deflate": tried once when the zlib header fails.
        self._may_try_raw_deflate = coding == "deflate"
        self._limit = limit
        self.produced = 0

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of ``data``, in pieces of at most DECODE_STEP_BYTES."""
        while not self._inflater.eof:
            try:
                piece = self._inflater.decompress(data, DECODE_STEP_BYTES)
            except zlib.error as error:
                if self._may_try_raw_deflate:
                    self._may_try_raw_deflate = False
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise UndecodableBodyError(
                    f"its {self.coding} compression is damaged ({error})"
                ) from error
            self._may_try_raw_deflate = False
            data = self._inflater.unconsumed_tail
            if piece:
                self.produced += len(piece)
                if self.produced > self._limit:
                    raise DecodedSizeExceededError(self.coding)
                yield piece
            # A full step may leave output pending inside zlib even with no input left.
            if not data and len(piece) < DECODE_STEP_BYTES:
                return
        # Bytes after the end of the compressed stream are ignored, as httpx and browsers do.


class BodyDecoder:
    """Decodes a body sent with ``content_encoding`` (the header's value, "" for none).

    Every layer may produce at most ``limit`` bytes in all: the compressed data an outer layer
    hands to an inner one is counted too, so no layer can be made to work for nothing."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [part.strip().lower() for part in content_encoding.split(",")]
        applied = [coding for coding in codings if coding not in _NO_CODING]
        unknown = sorted({coding for coding in applied if coding not in _WINDOW_BITS})
        if unknown:
            raise UndecodableBodyError(
                f"it is compressed as {', '.join(unknown)}, which was not asked for "
                f"(this app accepts {ACCEPTED_ENCODINGS})"
            )
        # The header lists codings in the order they were applied: undo the last one first.
        self._layers = [_Layer(coding, limit) for coding in reversed(applied)]

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of the next raw chunk, lazily, in bounded pieces."""
        return self._through(0, data)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            if data:
                yield data
            return
        for piece in self._layers[index].feed(data):
            yield from self._through(index + 1, piece)

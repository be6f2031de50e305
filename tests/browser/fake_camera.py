"""A QR code as Chromium's fake camera sees it: the token drawn as the direct-pay notice draws it
(`qrcode`, error correction M, 8-pixel modules, 4-module margin), centred on a white frame and
written as a one-frame YUV4MPEG2 file (`--use-file-for-fake-video-capture` loops it)."""

from __future__ import annotations

from pathlib import Path

WIDTH, HEIGHT = 960, 720


def qr_video(token: str, path: Path) -> Path:
    import qrcode
    from PIL import Image
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(token)
    code.make(fit=True)
    picture = code.make_image().get_image().convert("L")
    side = min(HEIGHT - 40, picture.width)
    picture = picture.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(picture, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))  # grey: no colour
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F30:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        video.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path

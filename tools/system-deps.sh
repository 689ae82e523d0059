#!/usr/bin/env bash
# Installs the Debian packages OpDesk needs when they are missing (Qt's runtime libraries,
# offscreen for the tests and xcb for the window on an X11 desktop).
# Only acts when a library is absent, so it is cheap on a prepared machine.
set -euo pipefail
need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libEGL.so.1 '        || need+=(libegl1)
have_lib 'libGL.so.1 '         || need+=(libgl1)
have_lib 'libxkbcommon.so.0 '  || need+=(libxkbcommon0)
have_lib 'libfontconfig.so.1 ' || need+=(libfontconfig1)
have_lib 'libdbus-1.so.3 '     || need+=(libdbus-1-3)
have_lib 'libglib-2.0.so.0 '   || need+=(libglib2.0-0)
have_lib 'libxkbcommon-x11.so.0 ' || need+=(libxkbcommon-x11-0)
# Qt's xcb platform plugin (`make run` on an X11 desktop) needs these besides libxcb itself.
have_lib 'libxcb-cursor.so.0 '    || need+=(libxcb-cursor0)
have_lib 'libxcb-icccm.so.4 '     || need+=(libxcb-icccm4)
have_lib 'libxcb-keysyms.so.1 '   || need+=(libxcb-keysyms1)
have_lib 'libxcb-image.so.0 '     || need+=(libxcb-image0)
have_lib 'libxcb-render-util.so.0 ' || need+=(libxcb-render-util0)
have_lib 'libxcb-randr.so.0 '     || need+=(libxcb-randr0)
have_lib 'libxcb-shape.so.0 '     || need+=(libxcb-shape0)
have_lib 'libxcb-xkb.so.1 '       || need+=(libxcb-xkb1)
# The tests open the window through the real xcb platform on a virtual X server.
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
if [ "${#need[@]}" -eq 0 ]; then exit 0; fi
echo "system-deps: installing ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: need root to install ${need[*]} (run: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

from __future__ import annotations

import sys

from opdesk.ui.app import main

sys.exit(main())

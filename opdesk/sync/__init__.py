"""The workstation's side of the shared desk: push, pull, conflicts (step 8)."""

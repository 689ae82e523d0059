"""`opdesk server`: the shared desk's HTTP service over PostgreSQL (step 8)."""

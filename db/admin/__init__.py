"""Changes made by server admins: records, audit and undo, export and import (no Discord)."""

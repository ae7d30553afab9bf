"""Local test bed for the snapkeep.nasha collection (not shipped with it)."""

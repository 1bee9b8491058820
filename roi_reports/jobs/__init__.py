"""The folder job: a working folder, its inbox step and the monthly run (SPEC §7)."""

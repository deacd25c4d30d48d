"""The audit trail: who viewed, downloaded, exported, released and changed roles."""

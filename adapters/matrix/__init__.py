"""The Matrix adapter (matrix-nio), tested against a real Synapse homeserver on loopback.
Importing this package must stay cheap: nothing here imports matrix-nio (only
``qunzhu.adapters.matrix.adapter`` does, when a Matrix adapter is configured)."""

"""Conversations: the shell around the pure dialogue. It loads a case, runs one turn, applies the actions
the dialogue asks for in the same transaction, and leaves one outcome per conversation."""

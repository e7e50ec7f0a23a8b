"""Text similarity: engines, embeddings with their cache, similar and duplicate insights, evaluation."""

"""Korean question understanding: normalization, tokenization, intent, matching, replies."""

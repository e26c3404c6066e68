"""Text to tokens and passages: the tokenizer and stemmer, batch splitting, segmentation."""

"""Reading inputs and writing outputs: documents and JSONL records, corpora, labelled data, atomic writes, output formats."""

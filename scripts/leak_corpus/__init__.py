"""The modules of scripts/gen_leak_corpus.py: the oracle, the vocabulary,
the line builder, the generator's primitives and its sections.
"""

"""Toy tasks small enough to train in seconds on one CPU thread, each built for one question:

- :mod:`helpers.tasks.two_rule` — do several heads beat one? (notebook 05); its sweep over h
  and the stored models: :mod:`helpers.tasks.sweep`;
- :mod:`helpers.tasks.pointer` — why a second encoder layer? (notebook 07).
"""

"""Training and measuring the NLU: data files, training runs, evaluation, the baseline and the
held-out leak check."""

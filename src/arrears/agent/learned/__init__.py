"""The learned reader of customer turns: the rules' reading, the words and a sentence embedding, weighed by
one trained linear head per label (`combiner.py`), from data in data/nlu (`corpus.py`, `train.py`).

`understand()` asks it for every turn with words in it; `arrears nlu` reports its confidence and the model's
version and content hash, so every outcome names the model that read it. `make model` rebuilds the
committed artefact (nlu_model.json + nlu_model.bin) bit for bit from the repository's data.
"""

from arrears.agent.learned.combiner import Combiner, Reading, Thresholds, load_combiner

__all__ = ["Combiner", "Reading", "Thresholds", "load_combiner"]

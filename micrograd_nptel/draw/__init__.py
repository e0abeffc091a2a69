"""The pictures: computation graphs (:mod:`.dot`), the lecture's network (:mod:`.network`), running Graphviz
(:mod:`.render`) and the step-through widget (:mod:`.widgets`); :mod:`micrograd_nptel.graph` re-exports them."""

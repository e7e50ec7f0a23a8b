"""REFI-QDA project exchange (``.qdpx``, ``.qdc``): NVivo, ATLAS.ti, MAXQDA, QualCoder."""

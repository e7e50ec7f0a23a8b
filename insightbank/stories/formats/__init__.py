"""One reader per foreign story format: SenseMaker, NarraFirma, and our own long CSV."""

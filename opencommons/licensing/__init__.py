"""Licences that say what they permit: SPDX expressions (`spdx`), ODRL terms documents
(`odrl`), the lineage rules a child's licence is checked by (`lineage`), and where a dataset's
terms document is read from (`documents`)."""

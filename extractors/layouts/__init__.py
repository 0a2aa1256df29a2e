"""Layout parsers: turn a paper's tables and text into the measure rows it prints.

Each parser takes the extracted tables and pages of one paper and returns MeasureRow records, or an
empty list when the paper is not in its layout; `extractors.extract` tries them in order.
"""

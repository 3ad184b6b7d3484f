"""The annual report (年度报告): Tables 3 and 4 and fees per unit and year, as JSON, HTML, PDF and xlsx."""

"""One look for dates and times in English (issue 22 item 4): day month year, 24-hour clock.

Every `|date:"DATE_FORMAT"`, `"SHORT_DATE_FORMAT"`, `"DATETIME_FORMAT"` … in the templates reads these
(settings.FORMAT_MODULE_PATH), so "12/06/2026 23:25" and "Dec. 6, 2026, 11:25 p.m." became one format."""

DATE_FORMAT = "j M Y"  # 6 Dec 2026
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"  # 6 Dec 2026, 23:25
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

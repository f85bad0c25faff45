"""The report's chart of reporting verbs, drawn on the server (reader/charts.py)."""

from reader import charts


def rows(n):
    return [(f"verb{i}", [n - i, i]) for i in range(n)]


def test_the_longest_bar_fills_the_width_and_the_others_are_in_proportion():
    chart = charts.grouped_bars([("say", [8, 2]), ("allege", [0, 4])], ["A", "B"], title="Verbs")
    widths = [[bar.width for bar in row.bars] for row in chart.rows]
    assert widths[0][0] == charts.WIDTH - charts.LABEL_WIDTH - 40
    assert widths[0][1] == round(widths[0][0] / 4)
    assert widths[1] == [0, round(widths[0][0] / 2)]


def test_each_series_has_its_own_pattern_named_in_the_legend():
    chart = charts.grouped_bars(rows(2), ["Mehr", "TASS"], title="Verbs")
    assert chart.series == [("Mehr", "solid"), ("TASS", "hatched")]


def test_a_chart_cut_to_its_limit_says_so_in_its_title():
    chart = charts.grouped_bars(rows(17), ["A", "B"], title="Verbs", limit=12)
    assert len(chart.rows) == 12
    assert chart.title == "Verbs (the 12 most used of 17; all in the table)"


def test_a_chart_within_its_limit_keeps_its_title():
    chart = charts.grouped_bars(rows(12), ["A", "B"], title="Verbs", limit=12)
    assert (len(chart.rows), chart.title) == (12, "Verbs")

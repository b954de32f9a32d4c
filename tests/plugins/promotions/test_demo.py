"""The console demo of docs/promotions.md runs as written, with the installed entry point."""

from pathlib import Path

import pytest

from tests.support.demo import run_demo


@pytest.mark.slow
def test_the_console_demo_runs_as_written(tmp_path: Path) -> None:
    out = run_demo(tmp_path, "examples/promotions.txt", "-c", "docs/examples/promotions.yaml")
    text = out.stdout
    assert "产品 #1 已登记：通山鮰鱼，12.5 元/斤，现货 2,000,000 斤。" in text
    assert "张老板的推介 #1" in text and "[1] 批准  [2] 拒绝" in text
    assert text.count("[1] 我要订购  [2] 感兴趣  [3] 联系卖家") == 3  # three groups
    assert "抱歉，这看起来不像手机号码。" in text
    assert "新订单 #1：刘经理 订购通山鮰鱼 2,000 斤，送到 武汉，电话 13900139000" in text
    assert "新意向：赵阿姨 对通山鮰鱼感兴趣（来自群 村民群）。" in text
    assert "· 鮰鱼买家群: 送达 1 · 点击 1 · 意向 0 · 订单 1 · 订购 2,000 斤" in text
    # the post repeats every day, three times: the first went out at once
    assert "要重复发送吗？" in text and "，共 3 次；第一次于" in text
    assert "#2 通山鮰鱼（系列 #1 第 1 次）: 送达 3 · 点击 2 · 意向 1 · 订单 1" in text
    assert "#1 通山鮰鱼，共 1 次：送达 3" in text

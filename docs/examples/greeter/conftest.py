# In your own plugin, `pip install -e .` makes the package importable; this example lives inside
# qunzhu's repository, so its test suite puts the package on the path instead.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

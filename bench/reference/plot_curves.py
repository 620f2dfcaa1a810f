"""Per-round curves of the study runs: /usr/bin/python3 bench/reference/plot_curves.py curves.json out.png
(needs python3-matplotlib). Alpha 0.1 runs only; one colour per method, one line per run."""
import json
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {'baseline': 'tab:blue', 'ssd': 'tab:red', 'dsr': 'tab:green', 'pd': 'tab:orange'}
PANELS = [('knn', 'kNN accuracy'), ('unif', 'uniformity -U of h'), ('erank', 'effective rank of h'), ('inter', 'inter-client uniformity'),
          ('loss', 'training loss (code form)')]


def main():
    data = json.load(open(sys.argv[1]))
    fig, axes = plt.subplots(1, len(PANELS), figsize=(4 * len(PANELS), 3.6))
    for ax, (key, title) in zip(axes, PANELS):
        for run in data['runs']:
            if run['alpha'] != 0.1 or (key == 'loss' and run['form'] == 'paper'):
                continue  # the paper-form DSR loss is ~300x larger and would flatten the others
            pts = [(r['round'], r[key]) for r in run['rounds'] if r[key] is not None]
            if not pts:
                continue
            style = '--' if run['form'] == 'paper' else '-'
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=COLOURS.get(run['method'], 'k'), alpha=0.8, label=run['id'])
        ax.set_title(title, fontsize=10)
        ax.set_xlabel('round')
    axes[0].legend(fontsize=6)
    fig.suptitle(data['title'])
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=80)


if __name__ == '__main__':
    main()

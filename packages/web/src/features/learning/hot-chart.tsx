import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { HotStats } from './learn-api.ts';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const short = (s: string, n = 18) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Answers per period: the top entries stacked, all answers as a line. */
export function HotChart({ stats, totalLabel }: { stats: HotStats; totalLabel: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current);
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const labels = stats.periods.map((p) => p.slice(5));
    chart.current?.setOption({
      tooltip: { trigger: 'axis', confine: true },
      legend: { type: 'scroll', bottom: 0, formatter: (name: string) => short(name, 22) },
      grid: { left: 40, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        ...stats.top.map((t) => ({ name: t.question, type: 'bar', stack: 'top', data: t.series, barMaxWidth: 28 })),
        { name: totalLabel, type: 'line', data: stats.totals, symbolSize: 6, lineStyle: { width: 2 }, z: 3 },
      ],
    }, true);
  }, [stats, totalLabel]);
  return <div ref={el} className="learn-chart" data-testid="learn-hot-chart" />;
}

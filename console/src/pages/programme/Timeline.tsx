/** The day on one bar: windows shaded, each play a block coloured by priority. */
import { Tooltip } from "antd";

import { useT } from "../../i18n";
import { programmeMessages } from "./messages";
import { blocks, clock, windowBands } from "./timeline";
import type { BroadcastWindow, ProgrammeItem } from "./timeline";

const HOURS = [0, 3, 6, 9, 12, 15, 18, 21, 24];

export function Timeline({
  items,
  windows
}: {
  items: ProgrammeItem[];
  windows: BroadcastWindow[];
}) {
  const t = useT(programmeMessages);
  return (
    <figure className="timeline" aria-label={t("programme.timeline")}>
      <div className="timeline-bar">
        {windowBands(windows).map((band, index) => (
          <span key={index} className="timeline-window" style={{ left: `${band.left}%`, width: `${band.width}%` }} />
        ))}
        {blocks(items).map(({ key, left, width, item }) => (
          <Tooltip key={key} title={`${clock(item.start)} ${item.title}`}>
            <span
              className={`timeline-item timeline-${item.priority}`}
              style={{ left: `${left}%`, width: `${width}%` }}
            />
          </Tooltip>
        ))}
      </div>
      <div className="timeline-hours" aria-hidden="true">
        {HOURS.map((hour) => (
          <span key={hour} style={{ left: `${(hour / 24) * 100}%` }}>
            {hour}h
          </span>
        ))}
      </div>
    </figure>
  );
}

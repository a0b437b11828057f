/** Small pieces the bulletin pages share: status and priority tags, unit names, a word diff. */
import { Tag } from "antd";
import { useEffect, useState } from "react";

import { api, ok } from "../../api/client";
import { useT } from "../../i18n";
import { loadUnit } from "../../units";
import { bulletinMessages } from "./messages";
import { wordDiff } from "./text";

// Text, background and border, each pair above WCAG AA contrast (Ant Design's presets are not).
const PALETTE = {
  grey: ["#262626", "#f5f5f5", "#d9d9d9"],
  gold: ["#7a4300", "#fffbe6", "#ffe58f"],
  green: ["#135200", "#f6ffed", "#b7eb8f"],
  red: ["#a8071a", "#fff1f0", "#ffa39e"],
  purple: ["#391085", "#f9f0ff", "#d3adf7"],
  orange: ["#7a3100", "#fff7e6", "#ffd591"],
} as const;

const STATUS_COLOURS: Record<string, keyof typeof PALETTE> = {
  draft: "grey",
  pending: "gold",
  approved: "green",
  rejected: "red",
  withdrawn: "purple",
  expired: "grey",
};

export function style(colour: keyof typeof PALETTE) {
  const [color, background, borderColor] = PALETTE[colour];
  return { color, background, borderColor };
}

export function StatusTag({ status }: { status: string }) {
  const t = useT(bulletinMessages);
  return (
    <Tag style={style(STATUS_COLOURS[status] ?? "grey")} data-testid="bulletin-status">
      {t(`status.${status as "draft"}`)}
    </Tag>
  );
}

export function PriorityTag({ priority }: { priority: string }) {
  const t = useT(bulletinMessages);
  const colour = priority === "emergency" ? "red" : priority === "priority" ? "orange" : "grey";
  return <Tag style={style(colour)}>{t(`priority.${priority as "normal"}`)}</Tag>;
}

/** A unit's name, once the API has given it (its code until then). */
export function UnitName({ code }: { code: string }) {
  const [name, setName] = useState(code);
  useEffect(() => {
    loadUnit(code).then((unit) => setName(unit.name), () => setName(code));
  }, [code]);
  return <>{name}</>;
}

/** Words removed struck through, words added underlined (and said so to screen readers). */
export function DiffText({ before, after }: { before: string; after: string }) {
  return (
    <p className="bulletin-diff" data-testid="diff">
      {wordDiff(before, after).map((piece, index) =>
        piece.op === "same" ? (
          <span key={index}>{piece.text}</span>
        ) : piece.op === "added" ? (
          <ins key={index}>{piece.text}</ins>
        ) : (
          <del key={index}>{piece.text}</del>
        ),
      )}
    </p>
  );
}

/** A media item's file name and status, once the API has given them. */
export function MediaName({ id }: { id: string }) {
  const [media, setMedia] = useState<{ file_name: string; status: string }>();
  useEffect(() => {
    ok(api().GET("/media/{id}", { params: { path: { id } } })).then(setMedia, () => undefined);
  }, [id]);
  return <>{media ? media.file_name : id}</>;
}

/**
 * Marks the document while a bulletin page shows, so bulletins.css applies to it and to its
 * dialogs (rendered outside the page) and to nothing else once the person moves on.
 */
export function useBulletinsArea(): void {
  useEffect(() => {
    document.body.classList.add("bulletins");
    return () => document.body.classList.remove("bulletins");
  }, []);
}

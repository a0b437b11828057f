/** Small pieces the bulletin pages share: status and priority tags, unit names, a word diff. */
import { Tag } from "antd";
import { useEffect, useState } from "react";

import { api, ok } from "../../api/client";
import { useT } from "../../i18n";
import { loadUnit } from "../../units";
import { bulletinMessages } from "./messages";
import { wordDiff } from "./text";

const STATUS_COLOURS: Record<string, string> = {
  draft: "default",
  pending: "gold",
  approved: "green",
  rejected: "red",
  withdrawn: "purple",
  expired: "default",
};

export function StatusTag({ status }: { status: string }) {
  const t = useT(bulletinMessages);
  return (
    <Tag color={STATUS_COLOURS[status]} data-testid="bulletin-status">
      {t(`status.${status as "draft"}`)}
    </Tag>
  );
}

export function PriorityTag({ priority }: { priority: string }) {
  const t = useT(bulletinMessages);
  const colour = priority === "emergency" ? "red" : priority === "priority" ? "orange" : undefined;
  return <Tag color={colour}>{t(`priority.${priority as "normal"}`)}</Tag>;
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
    ok<{ file_name: string; status: string }>(api().GET("/media/{id}", { params: { path: { id } } })).then(setMedia, () => undefined);
  }, [id]);
  return <>{media ? media.file_name : id}</>;
}

/**
 * The one unit picker, for every page: units from the user's own subtree, as a tree that opens
 * level by level (the catalogue via loadUnit, cached), so nothing outside the user's area is
 * ever offered. One unit (`value` a code) or several (`multiple`: `value` the codes). Inside a
 * Form.Item it takes the item's value and onChange.
 */
import { TreeSelect } from "antd";
import { useEffect, useState } from "react";

import { useSession } from "../auth/session";
import { loadUnit } from "../units";
import type { UnitView } from "../units";

interface Node {
  id: string;
  pId?: string;
  value: string;
  title: string;
  isLeaf: boolean;
}

interface Common {
  id?: string;
  placeholder?: string;
  ariaLabel?: string;
  /** The deepest level offered: e.g. "district" for the province's districts and no communes. */
  deepest?: "district" | "commune";
  /** Its accessible name and placeholder, where no form label names it. */
  label?: string;
  /** Only communes may be chosen (a programme is a commune's day). */
  communesOnly?: boolean;
  /** A clear button (default: in multiple mode only). */
  allowClear?: boolean;
}

interface Single extends Common {
  multiple?: false;
  value?: string;
  /** The code chosen; undefined once cleared. */
  onChange?: (code: string | undefined) => void;
}

interface Multiple extends Common {
  multiple: true;
  value?: string[];
  onChange?: (codes: string[]) => void;
}

export type UnitPickerProps = Single | Multiple;

const nodeOf = (unit: Pick<UnitView, "code" | "name">, parent: string | undefined, isLeaf: boolean): Node => ({
  id: unit.code,
  pId: parent,
  value: unit.code,
  title: unit.name,
  isLeaf,
});

export function UnitPicker(props: UnitPickerProps) {
  const { id, placeholder, ariaLabel, deepest = "commune", label, communesOnly = false } = props;
  const { user } = useSession();
  const [nodes, setNodes] = useState<Node[]>([]);
  const [search, setSearch] = useState("");
  const [expanded, setExpanded] = useState<string[]>([]);
  const home = user?.unit ?? "";
  const chosen = props.multiple ? (props.value ?? []) : props.value ? [props.value] : [];

  const add = (found: Node[]) =>
    setNodes((known) => {
      const seen = new Set(known.map((node) => node.id));
      return [...known, ...found.filter((node) => !seen.has(node.id))];
    });

  useEffect(() => {
    if (!home) return;
    let live = true;
    // Two levels (a province: its districts, then their communes as they arrive, cached), so
    // typing a commune's name finds it without opening its district first.
    void loadUnit(home).then(async (unit) => {
      if (!live) return;
      const open = (level: string) => level !== "commune" && level !== deepest;
      setExpanded([unit.code]);
      add([
        nodeOf(unit, undefined, !unit.children.length),
        ...unit.children.map((child) => nodeOf(child, unit.code, !open(child.level))),
      ]);
      for (const child of unit.children.filter((c) => open(c.level))) {
        void loadChildren(child.code).catch(() => undefined);
      }
    });
    return () => {
      live = false;
    };
  }, [home, deepest]);

  // Chosen units deeper than what is open yet (a draft's communes) still show by name.
  useEffect(() => {
    for (const code of chosen) {
      if (nodes.some((node) => node.id === code)) continue;
      loadUnit(code).then(
        (unit) => add([nodeOf(unit, unit.parent ?? undefined, unit.level === "commune" || !unit.children.length)]),
        () => undefined,
      );
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [chosen.join(",")]);

  async function loadChildren(code: string) {
    const unit = await loadUnit(code);
    add(unit.children.map((child) => nodeOf(child, code, true)));
  }

  function changed(next: string | string[] | undefined) {
    if (props.multiple) props.onChange?.(next === undefined ? [] : Array.isArray(next) ? next : [next]);
    else props.onChange?.(Array.isArray(next) ? next[0] : next);
  }

  return (
    <TreeSelect
      id={id}
      aria-label={ariaLabel ?? label}
      treeDataSimpleMode
      treeData={communesOnly ? nodes.map((node) => ({ ...node, selectable: node.isLeaf })) : nodes}
      value={props.value}
      onChange={changed}
      multiple={props.multiple}
      // While searching, every loaded level is open, so a match that arrives later shows too.
      showSearch={{ searchValue: search, onSearch: setSearch, treeNodeFilterProp: "title" }}
      treeExpandedKeys={search ? nodes.filter((node) => !node.isLeaf).map((node) => node.id) : expanded}
      onTreeExpand={(keys) => setExpanded(keys.map(String))}
      placeholder={placeholder ?? label}
      loadData={(node) => loadChildren(String(node.value))}
      style={{ width: "100%" }}
      popupMatchSelectWidth={false}
      allowClear={props.allowClear ?? props.multiple}
    />
  );
}

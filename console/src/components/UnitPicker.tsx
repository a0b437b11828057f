/**
 * Pick units from the user's own subtree: a tree that opens level by level (the catalogue via
 * loadUnit, cached), so nothing outside the user's area is ever offered.
 */
import { TreeSelect } from "antd";
import { useEffect, useState } from "react";

import { useSession } from "../auth/session";
import { loadUnit } from "../units";

interface Node {
  id: string;
  pId?: string;
  value: string;
  title: string;
  isLeaf: boolean;
}

interface Props {
  id?: string;
  value?: string | string[];
  /** A code, or the codes when `multiple`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onChange?: (value: any) => void;
  multiple?: boolean;
  placeholder?: string;
  ariaLabel?: string;
  /** The deepest level offered: e.g. "district" for the province's districts and no communes. */
  deepest?: "district" | "commune";
  /** Its accessible name and placeholder, where no form label names it. */
  label?: string;
  /** Only communes may be chosen (a programme is a commune's day). */
  communesOnly?: boolean;
}

export function UnitPicker({
  id,
  value,
  onChange,
  multiple,
  placeholder,
  ariaLabel,
  deepest = "commune",
  label,
  communesOnly = false,
}: Props) {
  const { user } = useSession();
  const [nodes, setNodes] = useState<Node[]>([]);
  const [search, setSearch] = useState("");
  const [expanded, setExpanded] = useState<string[]>([]);
  const home = user?.unit ?? "";

  useEffect(() => {
    if (!home) return;
    let live = true;
    // Two levels (a province: its districts, then their communes as they arrive, cached), so
    // typing a commune's name finds it without opening its district first.
    void loadUnit(home).then(async (unit) => {
      if (!live) return;
      const root: Node = { id: unit.code, value: unit.code, title: unit.name, isLeaf: !unit.children.length };
      const open = (level: string) => level !== "commune" && level !== deepest;
      setExpanded([unit.code]);
      setNodes([
        root,
        ...unit.children.map((child) => ({ id: child.code, pId: unit.code, value: child.code, title: child.name, isLeaf: !open(child.level) })),
      ]);
      for (const child of unit.children.filter((c) => open(c.level))) {
        void loadChildren(child.code).catch(() => undefined);
      }
    });
    return () => {
      live = false;
    };
  }, [home, deepest]);

  async function loadChildren(code: string) {
    const unit = await loadUnit(code);
    setNodes((known) => {
      const seen = new Set(known.map((node) => node.id));
      const added = unit.children
        .filter((child) => !seen.has(child.code))
        .map((child) => ({ id: child.code, pId: code, value: child.code, title: child.name, isLeaf: true }));
      return [...known, ...added];
    });
  }

  return (
    <TreeSelect
      id={id}
      aria-label={ariaLabel ?? label}
      treeDataSimpleMode
      treeData={communesOnly ? nodes.map((node) => ({ ...node, selectable: node.isLeaf })) : nodes}
      value={value}
      onChange={(next) => onChange?.(next)}
      multiple={multiple}
      // While searching, every loaded level is open, so a match that arrives later shows too.
      showSearch={{ searchValue: search, onSearch: setSearch, treeNodeFilterProp: "title" }}
      treeExpandedKeys={search ? nodes.filter((node) => !node.isLeaf).map((node) => node.id) : expanded}
      onTreeExpand={(keys) => setExpanded(keys.map(String))}
      placeholder={placeholder ?? label}
      loadData={(node) => loadChildren(String(node.value))}
      style={{ width: "100%" }}
      popupMatchSelectWidth={false}
      allowClear={multiple}
    />
  );
}

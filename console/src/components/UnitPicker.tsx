/**
 * Pick a unit in the user's own subtree (the API refuses anything else): a tree that starts at
 * the home unit and loads each level's children when opened.
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

const leaf = (level: string) => level === "commune";

export function UnitPicker({
  value,
  onChange,
  label,
  communesOnly = false,
}: {
  value?: string;
  onChange: (code: string) => void;
  label: string;
  /** Only communes may be chosen (a programme is a commune's day). */
  communesOnly?: boolean;
}) {
  const { user } = useSession();
  const [nodes, setNodes] = useState<Node[]>([]);

  useEffect(() => {
    if (!user) return;
    loadUnit(user.unit).then((home) =>
      setNodes([{ id: home.code, value: home.code, title: home.name, isLeaf: leaf(home.level) }]),
    );
  }, [user]);

  const loadChildren = async (node: { value?: unknown }) => {
    const unit = await loadUnit(String(node.value));
    setNodes((seen) => {
      const known = new Set(seen.map((n) => n.id));
      const children = unit.children
        .filter((child) => !known.has(child.code))
        .map((child) => ({
          id: child.code,
          pId: unit.code,
          value: child.code,
          title: child.name,
          isLeaf: leaf(child.level),
        }));
      return [...seen, ...children];
    });
  };

  return (
    <TreeSelect
      aria-label={label}
      treeDataSimpleMode
      showSearch
      treeNodeFilterProp="title"
      style={{ minWidth: 240, maxWidth: "100%" }}
      value={value}
      onChange={(code: string) => onChange(code)}
      loadData={loadChildren}
      treeData={nodes.map((node) => ({
        ...node,
        selectable: !communesOnly || node.isLeaf,
      }))}
      placeholder={label}
    />
  );
}

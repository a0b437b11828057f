/** Units to choose from, limited to the user's area: the home unit, its children loaded on opening. */
import { TreeSelect } from "antd";
import { useEffect, useState } from "react";

import { loadUnit } from "../../units";

interface Node {
  id: string;
  pId?: string;
  value: string;
  title: string;
  isLeaf: boolean;
}

interface Props {
  id: string;
  root: string;
  value: string[];
  onChange: (value: string[]) => void;
  multiple?: boolean;
  placeholder?: string;
}

export function UnitPicker({ id, root, value, onChange, multiple = true, placeholder }: Props) {
  const [nodes, setNodes] = useState<Node[]>([]);

  const add = (found: Node[]) =>
    setNodes((known) => [...known.filter((node) => !found.some((f) => f.id === node.id)), ...found]);

  useEffect(() => {
    loadUnit(root).then(
      (unit) => add([{ id: unit.code, value: unit.code, title: unit.name, isLeaf: unit.children.length === 0 }]),
      () => undefined,
    );
  }, [root]);

  // Chosen units deeper than what is open yet still show by name.
  useEffect(() => {
    for (const code of value) {
      if (nodes.some((node) => node.id === code)) continue;
      loadUnit(code).then(
        (unit) => add([{ id: unit.code, pId: unit.parent ?? undefined, value: unit.code, title: unit.name, isLeaf: unit.children.length === 0 }]),
        () => undefined,
      );
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value.join(",")]);

  const loadChildren = async (node: { value?: string | number }) => {
    const unit = await loadUnit(String(node.value));
    setNodes((known) => [
      ...known,
      ...unit.children
        .filter((child) => !known.some((node) => node.id === child.code))
        .map((child) => ({ id: child.code, pId: unit.code, value: child.code, title: child.name, isLeaf: child.level === "commune" })),
    ]);
  };

  return (
    <TreeSelect
      id={id}
      treeDataSimpleMode
      treeData={nodes}
      loadData={loadChildren}
      multiple={multiple}
      showSearch={{ treeNodeFilterProp: "title" }}
      allowClear
      placeholder={placeholder}
      value={multiple ? value : value[0]}
      onChange={(next: string | string[] | undefined) => onChange(next === undefined ? [] : Array.isArray(next) ? next : [next])}
      style={{ width: "100%" }}
      popupMatchSelectWidth
    />
  );
}

/** The operator's controls for one device; every command is confirmed in a dialog first. */
import { Alert, Button, Flex, Input, Modal, Slider, Space } from "antd";
import { useState } from "react";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { errorMessage } from "../../components/ErrorAlert";
import { useT } from "../../i18n";
import type { Device } from "./devices";
import { deviceMessages } from "./messages";

type Command = components["schemas"]["CommandRecord"];
type Request = components["schemas"]["CommandRequest"];

export function CommandPanel({ device, onSent }: { device: Device; onSent: (command: Command) => void }) {
  const t = useT(deviceMessages);
  const [modal, holder] = Modal.useModal();
  const [volume, setVolume] = useState<number>(device.volume ?? 50);
  const [text, setText] = useState("");
  const [failure, setFailure] = useState<string>();

  function confirm(request: Request, what: string) {
    setFailure(undefined);
    void modal.confirm({
      title: t("commands.confirmTitle", { name: device.name }),
      content: (
        <>
          <p>{what}</p>
          {!device.online && <Alert type="warning" showIcon description={t("commands.offline")} />}
        </>
      ),
      okText: t("commands.send"),
      cancelText: t("commands.cancel"),
      onOk: async () => {
        try {
          const sent: Command = await ok(api().POST("/devices/{thing}/commands", { params: { path: { thing: device.thing } }, body: request }));
          onSent(sent);
        } catch (error) {
          setFailure(errorMessage(error, t));
        }
      },
    });
  }

  const power = device.power === "off" ? "on" : "off";
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {holder}
      <div>
        <label htmlFor="command-volume" className="field-label">
          {t("commands.volume")}: {volume}
        </label>
        <Flex gap="small" align="center">
          <Slider
            id="command-volume"
            min={0}
            max={100}
            value={volume}
            onChange={setVolume}
            style={{ flex: 1 }}
            ariaLabelForHandle={t("commands.volume")}
          />
          <Button
            onClick={() =>
              confirm({ command: "volume", value: volume }, t("commands.confirm.volume", { from: device.volume ?? "—", to: volume }))
            }
          >
            {t("commands.send")}
          </Button>
        </Flex>
      </div>
      <Flex gap="small" wrap>
        <Button
          onClick={() =>
            confirm({ command: "power", value: power }, t("commands.confirm.power", { what: t(power === "on" ? "device.on" : "device.off").toLowerCase() }))
          }
        >
          {t(power === "on" ? "commands.powerOn" : "commands.powerOff")}
        </Button>
        <Button onClick={() => confirm({ command: "reboot" }, t("commands.confirm.reboot"))}>{t("commands.reboot")}</Button>
        <Button danger disabled={!device.playing} onClick={() => confirm({ command: "stop" }, t("commands.confirm.stop"))}>
          {t("commands.stop")}
        </Button>
      </Flex>
      <div>
        <label htmlFor="command-text" className="field-label">
          {t("commands.playText")}
        </label>
        <Flex gap="small">
          <Input id="command-text" value={text} maxLength={2000} onChange={(event) => setText(event.target.value)} />
          <Button
            disabled={!text.trim()}
            onClick={() => confirm({ command: "play_now", args: { text: text.trim() } }, t("commands.confirm.play_now", { text: text.trim() }))}
          >
            {t("commands.playNow")}
          </Button>
        </Flex>
      </div>
      {failure && <Alert type="error" showIcon description={failure} />}
    </Space>
  );
}

/** The questions of one attempt in the order the server chose: radio buttons for one answer,
 * check boxes for several. Options are named by their shown position, as the API expects. */
import { Button, Checkbox, Radio, Space } from "antd";
import { useState } from "react";

import type { components } from "../../api/schema";
import { useT } from "../../i18n";
import { trainingMessages } from "./messages";

type AttemptView = components["schemas"]["AttemptView"];

export function QuizForm({
  attempt,
  busy,
  onSubmit,
}: {
  attempt: AttemptView;
  busy: boolean;
  onSubmit: (answers: Record<string, number[]>) => void;
}) {
  const t = useT(trainingMessages);
  const [answers, setAnswers] = useState<Record<string, number[]>>({});
  const choose = (question: string, picks: number[]) => setAnswers((now) => ({ ...now, [question]: picks }));

  return (
    <form
      aria-label={t("tr.attempt", { number: attempt.number })}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(answers);
      }}
    >
      <Space direction="vertical" size="large" style={{ width: "100%" }}>
        {attempt.questions.map((question, n) => {
          const legend = `${t("tr.question", { n: n + 1, text: question.text })}${question.multiple ? ` ${t("tr.multiple")}` : ""}`;
          return (
            <fieldset key={question.id} className="quiz-question">
              <legend>{legend}</legend>
              {question.multiple ? (
                <Checkbox.Group
                  value={answers[question.id] ?? []}
                  onChange={(picks) => choose(question.id, picks as number[])}
                >
                  <Space direction="vertical">
                    {question.options.map((option) => (
                      <Checkbox key={option.id} value={option.id}>
                        {option.text}
                      </Checkbox>
                    ))}
                  </Space>
                </Checkbox.Group>
              ) : (
                <Radio.Group
                  value={answers[question.id]?.[0]}
                  onChange={(event) => choose(question.id, [event.target.value as number])}
                >
                  <Space direction="vertical">
                    {question.options.map((option) => (
                      <Radio key={option.id} value={option.id}>
                        {option.text}
                      </Radio>
                    ))}
                  </Space>
                </Radio.Group>
              )}
            </fieldset>
          );
        })}
        <Button type="primary" htmlType="submit" loading={busy}>
          {t("tr.submit")}
        </Button>
      </Space>
    </form>
  );
}

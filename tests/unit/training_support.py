"""Training's store and staff directory in memory (the authorization matrix, fast tests)."""

from nguon.errors import Conflict
from nguon.services.training import StaffMember


class FakeStaffDirectory:
    def __init__(self, *members: tuple[str, str, str]) -> None:
        self.people = [StaffMember(username=u, name=n, unit=c) for u, n, c in members]

    def members(self):
        return list(self.people)


class InMemoryTrainingStore:
    def __init__(self) -> None:
        self.courses_ = {}
        self.enrolments = {}
        self.attempts = {}
        self.records = {}
        self.posts_ = {}

    def create_course(self, course):
        self.courses_[course.id] = course

    def get_course(self, course_id):
        return self.courses_.get(course_id)

    def courses(self):
        return list(self.courses_.values())

    def enrolment(self, course_id, username):
        return self.enrolments.get((course_id, username))

    def save_enrolment(self, enrolment, expected_version):
        current = self.enrolments.get((enrolment.course_id, enrolment.username))
        if (current is None) != (expected_version is None) or (
            current is not None and current.version != expected_version
        ):
            raise Conflict("training_changed")
        self.enrolments[(enrolment.course_id, enrolment.username)] = enrolment

    def enrolments_of(self, username):
        return [e for (_, u), e in self.enrolments.items() if u == username]

    def start_attempt(self, enrolment, expected_version, attempt):
        self.save_enrolment(enrolment, expected_version)
        self.attempts[(attempt.course_id, attempt.username, attempt.number)] = attempt

    def attempt(self, course_id, username, number):
        return self.attempts.get((course_id, username, number))

    def finish_attempt(self, attempt, enrolment, expected_version, record):
        if record is not None and (record.username, record.id) in self.records:
            raise Conflict("training_changed")
        self.save_enrolment(enrolment, expected_version)
        self.attempts[(attempt.course_id, attempt.username, attempt.number)] = attempt
        if record is not None:
            self.records[(record.username, record.id)] = record

    def put_record(self, record):
        if (record.username, record.id) in self.records:
            return False
        self.records[(record.username, record.id)] = record
        return True

    def records_of(self, username):
        return [r for (u, _), r in self.records.items() if u == username]

    def records_under(self, path):
        return [r for r in self.records.values() if r.path[: len(path)] == list(path)]

    def add_post(self, post):
        self.posts_[(post.course_id, post.id)] = post

    def posts(self, course_id):
        return [p for (c, _), p in self.posts_.items() if c == course_id]

    def save_post(self, post):
        self.posts_[(post.course_id, post.id)] = post

    def delete_post(self, post):
        self.posts_.pop((post.course_id, post.id), None)

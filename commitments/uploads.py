"""The verification page's upload handler: the uploaded PDF is hashed as it arrives and never stored, in
memory or on disk; past the size cap the rest is discarded (the request's whole body is capped before it is
read, see ``hkcourt.org.ratelimit``)."""

import hashlib
import io

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class HashedUpload(UploadedFile):
    """What the form sees: the file's name and size, its SHA-256, whether it went over the cap; no bytes."""

    def __init__(self, *, name, size, sha256, too_large, content_type=None):
        super().__init__(file=io.BytesIO(b""), name=name, content_type=content_type, size=size)
        self.sha256 = sha256
        self.too_large = too_large


class HashingUploadHandler(FileUploadHandler):
    def __init__(self, request=None, *, limit):
        super().__init__(request)
        self.limit = limit

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.digest = hashlib.sha256()
        self.size = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > self.limit:
            self.too_large = True
        elif not self.too_large:
            self.digest.update(raw_data)
        return None  # nothing is kept

    def file_complete(self, file_size):
        return HashedUpload(
            name=self.file_name,
            size=self.size,
            sha256="" if self.too_large else self.digest.hexdigest(),
            too_large=self.too_large,
            content_type=self.content_type,
        )

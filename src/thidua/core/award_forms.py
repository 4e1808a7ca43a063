"""The award forms (hình thức khen thưởng), the vocabulary pledges, voting and awards share."""

from django.db import models


class AwardForm(models.TextChoices):
    GOVERNMENT_FLAG = "government_flag", "Cờ thi đua của Chính phủ"
    PROVINCIAL_FLAG = "provincial_flag", "Cờ thi đua của UBND tỉnh"
    CERTIFICATE_OF_MERIT = "certificate_of_merit", "Bằng khen của Chủ tịch UBND tỉnh"
    EXCELLENT_COLLECTIVE = "excellent_collective", "Tập thể lao động xuất sắc"

"""`{{ award_form|award_label:province }}`: an award form's name as the province says it
("Cờ thi đua của UBND thành phố" for a centrally-run city; law.award_forms.label_for)."""

from django import template

from thidua.law.award_forms import AwardForm, label_for

register = template.Library()


@register.filter
def award_label(award_form, province):
    if award_form not in AwardForm.values:
        return award_form
    return label_for(award_form, province)

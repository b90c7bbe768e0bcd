from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.forms import BaseForm

PAPER = "papier"
ONLINE = "online"


class PaperForm(BaseForm):
    choice = RadioField(
        "Hoe wilt u uw budgetoverzicht en urenbriefjes krijgen?",
        choices=[SelectChoice(PAPER, "Ik werk op papier: stuur mij elke maand het overzicht "
                                     "en de urenbriefjes per post"),
                 SelectChoice(ONLINE, "Ik werk online: ik kijk in het portaal")],
        validators=[InputRequired("Kies of u op papier of online werkt.")],
    )

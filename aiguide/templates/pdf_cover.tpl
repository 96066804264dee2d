{#- Cover of the PDF, rendered by mkdocs-print-site-plugin (no autoescape there: escape every value). -#}
{% set guide = config.extra.guide_cover %}
{#- data-title and data-version feed the PDF's page footer (aiguide/pdf.py). #}
<div class="ag-cover" data-title="{{ guide.title | e }}" data-version="{{ guide.version | e }}">
  <p class="ag-cover__kicker">Evidence-based decision guide</p>
  <h1>{{ guide.title | e }}</h1>
  <p class="ag-cover__subtitle">{{ guide.subtitle | e }}</p>
  <table class="ag-cover__facts">
    <tr><th scope="row">Version</th><td>{{ guide.version | e }}</td></tr>
    <tr><th scope="row">Released</th><td>{{ guide.release_date | e }}</td></tr>
    <tr><th scope="row">Licence</th><td>{{ guide.licence | e }}</td></tr>
    <tr><th scope="row">How to cite</th><td>{{ guide.how_to_cite | e }}</td></tr>
  </table>
  <p class="ag-cover__note">Printed from the same data and pages as the website. Interactive parts appear in their printable form: the self-assessment as a checklist to fill in by hand.</p>
  <p class="ag-cover__note">To keep it short, this PDF prints each finding in full once, on its theme page, and each checklist item once, in the chapter Readiness checklists. The pages for the steps and the roles list findings by number and title and checklist items by number; every number links to the full text. The pages for editors (how to edit the data, and the field reference) are on the website only.</p>
</div>

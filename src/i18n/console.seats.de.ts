// Deutsche Texte der Konsole für Platzobergrenzen und den Techniker-Bereich (Schlüssel wie console.seats.en.ts).
import type { consoleSeatsEn } from './console.seats.en';

export const consoleSeatsDe: Record<keyof typeof consoleSeatsEn, string> = {
  'action.company.seats_changed': 'Platzobergrenze geändert',
  'action.technician.assigned': 'Unternehmen einem Techniker zugewiesen',
  'action.technician.unassigned': 'Zuweisung eines Unternehmens an einen Techniker aufgehoben',
  'seats.banner':
    '{name} hat seine Platzobergrenze erreicht: {filled, number} von {total, number} Plätzen sind belegt. Niemand kann eingeladen oder bereitgestellt werden, bis der MSP die Obergrenze anhebt oder ein Platz frei wird.',
  'seats.bannerMsp':
    '{name} hat seine Platzobergrenze erreicht ({filled, number} von {total, number}). Neue Personen aus seinem Identitätsanbieter werden abgewiesen, bis Sie die Obergrenze anheben.',
  'seats.region': 'Platzobergrenze',
  'seats.capped': '{filled, number} von {total, number} (Obergrenze)',
  'seats.atCap': 'Obergrenze erreicht',
  'seats.action': 'Platzobergrenze ändern',
  'seats.title': 'Platzobergrenze von {name}',
  'seats.explainCapped':
    'Die Zahl der Plätze ist eine feste Obergrenze: Einladungen und neue Personen aus dem Identitätsanbieter darüber hinaus werden abgewiesen.',
  'seats.explainDefault':
    '{name} hat das Standardkontingent von {total, number} Plätzen, das nicht durchgesetzt wird. Eine hier gespeicherte Zahl wird zur festen Obergrenze: Einladungen und neue Personen aus dem Identitätsanbieter darüber hinaus werden abgewiesen.',
  'seats.label': 'Plätze',
  'newCompany.seatsHint':
    'Eine Zahl ist eine feste Obergrenze. Leer bekommt das Unternehmen das Standardkontingent von 10 Plätzen, das nicht durchgesetzt wird.',
  'seats.save': 'Obergrenze speichern',
  'seats.saved': 'Die Platzobergrenze von {name} ist jetzt {total, number}.',
  'scope.title': 'Techniker-Bereich',
  'scope.explain':
    'Ob MSP-Techniker jedes verwaltete Unternehmen sehen und öffnen oder nur die ihnen zugewiesenen. Eigentümer und Administratoren sehen immer alle.',
  'scope.label': 'Techniker sehen',
  'scope.all': 'Jedes Unternehmen',
  'scope.assigned': 'Nur ihnen zugewiesene Unternehmen',
  'scope.save': 'Bereich speichern',
  'scope.saved': 'Techniker-Bereich gespeichert.',
  'scope.ownersOnly': 'Nur Eigentümer Ihres MSP ändern dies.',
  'assign.action': 'Unternehmen',
  'assign.actionNamed': '{who} zugewiesene Unternehmen',
  'assign.title': '{who} zugewiesene Unternehmen',
  'assign.explain': 'Mit dem Techniker-Bereich „Nur ihnen zugewiesene Unternehmen“ sieht und öffnet {who} nur diese Unternehmen.',
  'assign.caption': '{count, plural, =0 {Keine Unternehmen} one {# Unternehmen} other {# Unternehmen}} {who} zugewiesen',
  'assign.none': 'Keine Unternehmen zugewiesen.',
  'assign.company': 'Unternehmen',
  'assign.pick': 'Unternehmen wählen',
  'assign.add': 'Zuweisen',
  'assign.remove': 'Zuweisung aufheben',
  'assign.removeNamed': 'Zuweisung aufheben: {name}',
  'assign.added': '{name} ist {who} zugewiesen.',
  'assign.removed': '{name} ist {who} nicht mehr zugewiesen.',
  'assign.col.company': 'Unternehmen',
  'assign.col.since': 'Zugewiesen',
  'assign.col.actions': 'Aktionen',
};

// Times on screen in UK form (dd/mm/yyyy, 24-hour, Europe/London) whatever the browser's
// own locale or time zone: the control room reads one clock.
const FMT = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London", day: "2-digit", month: "2-digit", year: "numeric",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});
const parts = (us) => Object.fromEntries(FMT.formatToParts(new Date(us / 1000)).map((p) => [p.type, p.value]));

export function ukTime(us, seconds = false) {
  const p = parts(us);
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

export function ukDateTime(us) {
  const p = parts(us);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

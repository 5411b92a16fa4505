// One error box (role=alert) and one notice line (role=status) for the whole page.

const box = document.getElementById('error');
const text = document.getElementById('error-text');
const notice = document.getElementById('notice');
document.getElementById('error-close').addEventListener('click', clearError);

export function showError(error) {
  text.textContent = error?.message || String(error ?? 'Unknown error');
  box.hidden = false;
}

export function clearError() {
  box.hidden = true;
  text.textContent = '';
}

export function notify(message) {
  notice.textContent = message;
}

export function clearNotice() {
  notice.textContent = '';
}

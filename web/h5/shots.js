// Shots taken but not yet confirmed by the API, kept in IndexedDB: a reload, a closed tab or a
// lost connection loses nothing already photographed; each is retried until confirmed.
const DB_NAME = "yct-h5";
const STORE = "shots";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

export const keep = (shot) => run("readwrite", (store) => store.put(shot));
export const forget = (id) => run("readwrite", (store) => store.delete(id));

export async function pending(caseId) {
  const all = await run("readonly", (store) => store.getAll());
  return all.filter((shot) => shot.caseId === caseId).sort((a, b) => a.takenAt.localeCompare(b.takenAt));
}

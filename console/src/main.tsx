// Entry point: mounts the console in the page the server sent (its language on <html lang>).
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

createRoot(document.getElementById('root')!).render(<App />);

import "../src/locale";
import "../src/app.css";

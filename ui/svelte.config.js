export default {
  compilerOptions: {
    // CSS goes to a file, never to inline <style> tags, so style-src can stay 'self'.
    css: "external",
  },
};
